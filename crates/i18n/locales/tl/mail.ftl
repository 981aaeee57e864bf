mail-ack-subject = Natanggap namin ang inyong kahilingan: { $subject } [#{ $number }]
mail-ack-body = Magandang araw,

    Salamat sa inyong mensahe. Naitala namin ito bilang kahilingan #{ $number } at sasagot kami sa lalong madaling panahon.
    Kung sasagutin ninyo ang email na ito, maidaragdag ang inyong sagot sa kahilingan.

    { $account }

mail-ack-subject = Megkaptuk megkeresését: { $subject } [#{ $number }]
mail-ack-body = Jó napot!

    Köszönjük üzenetét. #{ $number } számon rögzítettük, és hamarosan válaszolunk.
    Ha erre a levélre válaszol, a válasza a megkereséshez kerül.

    { $account }

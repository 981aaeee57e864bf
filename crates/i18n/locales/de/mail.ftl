mail-ack-subject = Wir haben Ihre Anfrage erhalten: { $subject } [#{ $number }]
mail-ack-body = Guten Tag,

    vielen Dank für Ihre Nachricht. Wir haben sie als Anfrage #{ $number } erfasst und melden uns so bald wie möglich.
    Wenn Sie auf diese E-Mail antworten, wird Ihre Antwort der Anfrage hinzugefügt.

    { $account }

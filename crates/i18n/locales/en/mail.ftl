# The mail Parley writes itself.
mail-ack-subject = We received your request: { $subject } [#{ $number }]
mail-ack-body = Hello,

    Thank you for your message. We have logged it as request #{ $number } and will get back to you as soon as we can.
    If you reply to this email, your reply is added to the request.

    { $account }

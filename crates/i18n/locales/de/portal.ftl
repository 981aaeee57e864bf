portal-skip = Zum Inhalt springen
portal-home = Hilfe-Center
portal-language = Sprache
portal-search = Suchen
portal-search-placeholder = Artikel durchsuchen
portal-search-results = Ergebnisse für „{ $query }“
portal-no-results = Kein Artikel passt zu „{ $query }“.
portal-empty = Es wurden noch keine Artikel veröffentlicht.
portal-categories = Kategorien
portal-more-articles = Weitere Artikel
portal-articles-count = { $count ->
    [one] 1 Artikel
   *[other] { $count } Artikel
}
portal-updated = Aktualisiert am { $date }
portal-helpful-question = War dieser Artikel hilfreich?
portal-helpful-yes = Ja
portal-helpful-no = Nein
portal-helpful-thanks = Danke für Ihre Rückmeldung.
portal-helpful-count = { $helpful } von { $total } fanden das hilfreich.
portal-other-language = Diesen Artikel gibt es noch nicht in Ihrer Sprache.
portal-contact = Anfrage senden
portal-request-intro = Sagen Sie uns, was Sie brauchen. Wir antworten per E-Mail.
portal-request-name = Ihr Name
portal-request-email = Ihre E-Mail-Adresse
portal-request-subject = Betreff
portal-request-message = Wie können wir helfen?
portal-request-send = Senden
portal-request-sent = Danke. Ihre Anfrage hat die Nummer #{ $number }; wir antworten per E-Mail.
portal-suggestions = Diese Artikel beantworten Ihre Frage vielleicht:
portal-signin-needed = Diese Wissensdatenbank ist für angemeldete Kunden.
portal-signin-intro = Geben Sie Ihre E-Mail-Adresse ein; wir senden Ihnen einen Anmeldelink.
portal-signin-send = Link senden
portal-signin-confirm = { $kb } öffnen
portal-signin-sent = Wenn wir diese Adresse kennen, ist ein Anmeldelink unterwegs. Er gilt 30 Minuten.
portal-signin-subject = Ihr Anmeldelink für { $kb }
portal-signin-body = Guten Tag,

    öffnen Sie diesen Link, um { $kb } zu lesen: { $link }
    Er gilt 30 Minuten. Wenn Sie ihn nicht angefordert haben, ignorieren Sie diese Nachricht.

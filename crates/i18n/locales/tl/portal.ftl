portal-skip = Lumaktaw sa nilalaman
portal-home = Help center
portal-language = Wika
portal-search = Maghanap
portal-search-placeholder = Maghanap ng artikulo
portal-search-results = Mga resulta para sa “{ $query }”
portal-no-results = Walang artikulong tugma sa “{ $query }”.
portal-empty = Wala pang nailalathalang artikulo.
portal-categories = Mga kategorya
portal-more-articles = Iba pang artikulo
portal-articles-count = { $count ->
    [one] 1 artikulo
   *[other] { $count } na artikulo
}
portal-updated = In-update noong { $date }
portal-helpful-question = Nakatulong ba ang artikulong ito?
portal-helpful-yes = Oo
portal-helpful-no = Hindi
portal-helpful-thanks = Salamat sa inyong puna.
portal-helpful-count = { $helpful } sa { $total } ang natulungan nito.
portal-other-language = Wala pa ang artikulong ito sa inyong wika.
portal-contact = Magpadala ng kahilingan
portal-request-intro = Sabihin sa amin ang kailangan ninyo. Sasagot kami sa email.
portal-request-name = Ang pangalan mo
portal-request-email = Ang email mo
portal-request-subject = Paksa
portal-request-message = Paano kami makakatulong?
portal-request-send = Ipadala
portal-request-sent = Salamat. Ang numero ng inyong kahilingan ay #{ $number }; sasagot kami sa email.
portal-suggestions = Maaaring masagot ng mga artikulong ito ang inyong tanong:
portal-signin-needed = Para sa mga naka-sign in na customer ang knowledge base na ito.
portal-signin-intro = Ilagay ang inyong email at padadalhan namin kayo ng link para mag-sign in.
portal-signin-send = Ipadala ang link
portal-signin-confirm = Buksan ang { $kb }
portal-signin-sent = Kung kilala namin ang address na ito, papunta na ang link. May bisa ito nang 30 minuto.
portal-signin-subject = Ang inyong link para sa { $kb }
portal-signin-body = Magandang araw,

    buksan ang link na ito para mabasa ang { $kb }: { $link }
    May bisa ito nang 30 minuto. Kung hindi kayo ang humiling nito, huwag pansinin ang mensaheng ito.

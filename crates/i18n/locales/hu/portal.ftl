portal-skip = Ugrás a tartalomhoz
portal-home = Súgóközpont
portal-language = Nyelv
portal-search = Keresés
portal-search-placeholder = Keresés a cikkekben
portal-search-results = Találatok erre: „{ $query }”
portal-no-results = Nincs a(z) „{ $query }” keresésnek megfelelő cikk.
portal-empty = Még nincs közzétett cikk.
portal-categories = Kategóriák
portal-more-articles = További cikkek
portal-articles-count = { $count } cikk
portal-updated = Frissítve: { $date }
portal-helpful-question = Hasznos volt ez a cikk?
portal-helpful-yes = Igen
portal-helpful-no = Nem
portal-helpful-thanks = Köszönjük a visszajelzést.
portal-helpful-count = { $total } olvasóból { $helpful } hasznosnak találta.
portal-other-language = Ez a cikk még nem olvasható az Ön nyelvén.
portal-contact = Kérdése van? Írjon nekünk
portal-request-intro = Írja meg, miben segíthetünk. E-mailben válaszolunk.
portal-request-name = Az Ön neve
portal-request-email = Az Ön e-mail címe
portal-request-subject = Tárgy
portal-request-message = Miben segíthetünk?
portal-request-send = Küldés
portal-request-sent = Köszönjük. Megkeresése a(z) #{ $number } számot kapta; e-mailben válaszolunk.
portal-suggestions = Ezek a cikkek választ adhatnak a kérdésére:
portal-signin-needed = Ez a tudásbázis bejelentkezett ügyfeleknek szól.
portal-signin-intro = Adja meg e-mail címét, és küldünk egy bejelentkezési linket.
portal-signin-send = Link küldése
portal-signin-confirm = { $kb } megnyitása
portal-signin-sent = Ha ismerjük ezt a címet, úton van a bejelentkezési link. 30 percig érvényes.
portal-signin-subject = Bejelentkezési link: { $kb }
portal-signin-body = Jó napot!

    Ezen a linken olvashatja: { $kb }: { $link }
    30 percig érvényes. Ha nem Ön kérte, hagyja figyelmen kívül ezt az üzenetet.

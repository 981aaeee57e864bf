# Amit a hívók a telefonban hallanak (a hangszolgáltató olvassa fel).
voice-not-in-service = Ez a szám nem él. Viszonthallásra.
voice-unavailable = Most nem tudjuk fogadni a hívását. Kérjük, próbálja újra később. Viszonthallásra.
voice-recorded = A beszélgetést rögzíthetjük.
voice-invalid = Sajnos ez nem választható.
voice-goodbye = Viszonthallásra.
voice-position = Ön a { $position }. a sorban. Kérjük, tartsa a vonalat.
voice-hold = Kérjük, várjon, hamarosan kapcsoljuk munkatársunkat.
voice-busy = Minden munkatársunk foglalt.
voice-voicemail-prompt = Kérjük, a sípszó után hagyjon üzenetet. Ha végzett, tegye le a telefont.
voice-voicemail-thanks = Köszönjük az üzenetét, hamarosan jelentkezünk. Viszonthallásra.
voice-voicemail-none = Nem kaptunk üzenetet. Viszonthallásra.
voice-connecting = Most kapcsoljuk.

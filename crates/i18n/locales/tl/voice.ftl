# Ang naririnig ng tumatawag sa telepono (binabasa ng voice provider).
voice-not-in-service = Hindi ginagamit ang numerong ito. Paalam.
voice-unavailable = Hindi namin masagot ang tawag mo ngayon. Pakisubukang muli mamaya. Paalam.
voice-recorded = Maaaring i-record ang tawag na ito.
voice-invalid = Paumanhin, wala iyan sa mga pagpipilian.
voice-goodbye = Paalam.
voice-position = Ikaw ang numero { $position } sa pila. Manatili lang sa linya.
voice-hold = Sandali lang, may sasagot na sa iyo.
voice-busy = Abala ang lahat ng aming mga ahente.
voice-voicemail-prompt = Mag-iwan ng mensahe pagkatapos ng tono. Ibaba ang telepono kapag tapos ka na.
voice-voicemail-thanks = Salamat sa iyong mensahe. Babalikan ka namin. Paalam.
voice-voicemail-none = Wala kaming natanggap na mensahe. Paalam.
voice-connecting = Ikinokonekta ka na namin.

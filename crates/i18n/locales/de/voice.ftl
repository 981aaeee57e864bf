# Was Anrufer am Telefon hören (vom Sprachanbieter vorgelesen).
voice-not-in-service = Diese Nummer ist nicht vergeben. Auf Wiederhören.
voice-unavailable = Wir können Ihren Anruf gerade nicht annehmen. Bitte versuchen Sie es später noch einmal. Auf Wiederhören.
voice-recorded = Dieses Gespräch kann aufgezeichnet werden.
voice-invalid = Diese Auswahl gibt es leider nicht.
voice-goodbye = Auf Wiederhören.
voice-position = Sie sind an Position { $position } in der Warteschlange. Bitte bleiben Sie dran.
voice-hold = Bitte warten Sie, gleich ist jemand für Sie da.
voice-busy = Alle unsere Mitarbeiter sind im Gespräch.
voice-voicemail-prompt = Bitte hinterlassen Sie nach dem Signalton eine Nachricht. Legen Sie auf, wenn Sie fertig sind.
voice-voicemail-thanks = Vielen Dank für Ihre Nachricht. Wir melden uns bei Ihnen. Auf Wiederhören.
voice-voicemail-none = Wir haben keine Nachricht erhalten. Auf Wiederhören.
voice-connecting = Wir verbinden Sie jetzt.

# What callers hear on the phone (said by the voice provider's text to speech).
voice-not-in-service = This number is not in service. Goodbye.
voice-unavailable = We cannot take your call right now. Please try again later. Goodbye.
voice-recorded = This call may be recorded.
voice-invalid = Sorry, that is not one of the options.
voice-goodbye = Goodbye.
voice-position = You are number { $position } in the queue. Please stay on the line.
voice-hold = Please hold, an agent will be with you shortly.
voice-busy = All our agents are busy.
voice-voicemail-prompt = Please leave a message after the tone. Hang up when you are done.
voice-voicemail-thanks = Thank you for your message. We will get back to you. Goodbye.
voice-voicemail-none = We did not receive a message. Goodbye.
voice-connecting = Connecting you now.

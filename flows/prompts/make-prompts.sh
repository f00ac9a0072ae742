#!/usr/bin/env bash
# Regenerates the spoken example prompts with espeak-ng and sox (apt-get install espeak-ng sox): 16 kHz, 16-bit,
# mono WAV, as Graph requires. Record your own in a studio and drop them in here with the same names.
set -euo pipefail
cd "$(dirname "$0")"
say() { # say FILE TEXT [VOICE]
  espeak-ng -v "${3:-en-us}" -s 175 -w /tmp/prompt-raw.wav "$2"
  mkdir -p "$(dirname "$1")"
  sox /tmp/prompt-raw.wav -r 16000 -c 1 -b 16 "$1"
}
say main-menu.wav "Thank you for calling Contoso. For sales, press 1. For support, press 2. For billing, press 3."
say main-menu-fr.wav "Merci d'avoir appelé Contoso. Pour les ventes, tapez 1. Pour le support, tapez 2. Pour la facturation, tapez 3." fr
say invalid-option.wav "Sorry, that is not an option."
say no-input.wav "Sorry, we did not hear your choice."
say closed.wav "Our offices are closed. Our hours are eight to six, Monday to Friday, and nine to one on Saturday."
say holiday.wav "Our offices are closed today for the holiday."
say after-hours.wav "Please leave your name, number and message after the tone, and we will call you back on the next business day."
say voicemail-greeting.wav "Please leave a message after the tone. Press the pound key when you are done."
say vip-welcome.wav "Welcome back. We are connecting you to your priority support team."
say goodbye.wav "Thank you for calling. Goodbye."
say queue-full.wav "All our agents are busy and we cannot take more calls right now. Please try again later."
say callback-offer.wav "To be called back instead of waiting, press 1. You will keep your place in the queue."
say callback-confirm.wav "To be called back on the number you are calling from, press 1. To enter another number, press 2."
say callback-enter-number.wav "Please enter the number to call back, including the area code, then press the pound key."
say callback-invalid-number.wav "Sorry, that is not a number we can call."
say callback-accepted.wav "Thank you. We will call you back when it is your turn. Goodbye."
say callback-intro.wav "Hello, this is Contoso returning your call. Please hold while we connect you."
# The post-call survey (flows/care-line.ts); the shipped files are tone placeholders until regenerated here.
say survey-satisfaction.wav "Before you go: how satisfied were you with this call? Press 1 for not at all, up to 5 for very satisfied."
say survey-resolved.wav "Was your question resolved? Press 1 for yes, 2 for no."
say survey-thanks.wav "Thank you for your answers. Goodbye."
for n in $(seq 1 20); do say "announcements/position-$n.wav" "You are number $n in the queue."; done
for n in $(seq 1 30); do
  if [ "$n" = 1 ]; then say "announcements/wait-1-minutes.wav" "Your expected wait is about one minute."
  else say "announcements/wait-$n-minutes.wav" "Your expected wait is about $n minutes."; fi
done
rm -f /tmp/prompt-raw.wav

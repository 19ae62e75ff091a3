// Password rules after current guidance (NIST SP 800-63B, BSI IT-Grundschutz ORP.4): at least 12 characters, no
// composition rules, and a check against common and easily guessed passwords with zxcvbn-ts (its common-password
// lists plus the German dictionary). Lives in the API, not in domain/: the dictionaries must stay out of the
// workflow bundle.
import { zxcvbn, zxcvbnOptions } from '@zxcvbn-ts/core';
import * as common from '@zxcvbn-ts/language-common';
import * as de from '@zxcvbn-ts/language-de';

export const PASSWORD_MIN_LENGTH = 12;
/** bcrypt reads at most 72 bytes; longer passphrases are still allowed (the sign-in body takes up to 1024). */
export const PASSWORD_MAX_LENGTH = 256;
/** zxcvbn score 0–4; 3 means "safely unguessable" (about 10^8 guesses and more). */
const MIN_SCORE = 3;

let configured = false;
function configure(): void {
  if (configured) return;
  zxcvbnOptions.setOptions({
    dictionary: { ...common.dictionary, ...de.dictionary },
    graphs: common.adjacencyGraphs,
  });
  configured = true;
}

/** Why a password is refused (German, for the person choosing it), or null when it is acceptable. */
export function passwordProblem(password: string, personal: readonly string[] = []): string | null {
  const length = [...password].length;
  if (length < PASSWORD_MIN_LENGTH) return `Das Passwort muss mindestens ${PASSWORD_MIN_LENGTH} Zeichen lang sein.`;
  if (length > PASSWORD_MAX_LENGTH) return `Das Passwort darf höchstens ${PASSWORD_MAX_LENGTH} Zeichen lang sein.`;
  configure();
  // Only the first 100 characters are rated: zxcvbn's matching grows fast with length, and 100 characters that
  // pass are more than enough.
  const result = zxcvbn(password.slice(0, 100), personal.filter(Boolean).map((p) => p.toLowerCase()));
  if (result.score < MIN_SCORE) {
    return 'Dieses Passwort ist zu leicht zu erraten (es ist verbreitet oder folgt einem bekannten Muster). Wählen Sie z. B. mehrere zufällige Wörter.';
  }
  return null;
}

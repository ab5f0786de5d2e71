/** After an admin's reset: the new password chosen on the "Choose a new password" screen, checked before it is sent. */

/** What is wrong with the form, in words, or null when it can be sent (the server still checks the length, and says
 * PASSWORD_TOO_SHORT or PASSWORD_INVALID in words of its own). */
export function newPasswordProblem(temporary: string, fresh: string, repeated: string): string | null {
  if (temporary === '') return 'Enter the temporary password your admin gave you';
  if (fresh === '') return 'Enter a new password';
  if (fresh !== repeated) return 'The two new passwords are not the same: type it again';
  if (fresh === temporary) return 'Choose a password of your own, not the temporary one';
  return null;
}

import { describe, expect, it } from 'vitest';
import { newPasswordProblem } from '../src/ui/passwordChange';

describe('the "Choose a new password" screen after an admin reset', () => {
  it('sends a new password typed twice alike, different from the temporary one', () => {
    expect(newPasswordProblem('Tmp7Pass9WordXyz', 'my own password', 'my own password')).toBeNull();
  });

  it('says in words what is missing or wrong', () => {
    expect(newPasswordProblem('', 'my own password', 'my own password')).toBe('Enter the temporary password your admin gave you');
    expect(newPasswordProblem('Tmp7Pass9WordXyz', '', '')).toBe('Enter a new password');
    expect(newPasswordProblem('Tmp7Pass9WordXyz', 'my own password', 'my own pasword')).toBe('The two new passwords are not the same: type it again');
    expect(newPasswordProblem('Tmp7Pass9WordXyz', 'Tmp7Pass9WordXyz', 'Tmp7Pass9WordXyz')).toBe('Choose a password of your own, not the temporary one');
  });
});

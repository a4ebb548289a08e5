import { useState } from 'react';

/**
 * A new password typed twice (setup, invitations, changing it): the two values, whether
 * they differed at the last submit, and the props NewPasswordFields takes.
 */
export function useNewPassword() {
  const [password, setPassword] = useState('');
  const [repeat, setRepeat] = useState('');
  const [mismatch, setMismatch] = useState(false);
  return {
    password,
    repeat,
    mismatch,
    fields: { password, repeat, onPassword: setPassword, onRepeat: setRepeat, mismatch },
    /** On submit: true when both match; otherwise the mismatch shows under the repetition. */
    matches() {
      setMismatch(password !== repeat);
      return password === repeat;
    },
    clear() {
      setPassword('');
      setRepeat('');
      setMismatch(false);
    },
  };
}

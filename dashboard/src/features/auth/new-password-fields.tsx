import { Input } from '../../ui/input';
import { PasswordRules } from './password-rules';

/** A new password and its repetition, with the core's rules as a live hint (setup, invitations). */
export function NewPasswordFields({
  password,
  repeat,
  onPassword,
  onRepeat,
  name,
  email,
  error,
  mismatch,
  labels = ['Password', 'Repeat password'],
}: {
  password: string;
  repeat: string;
  onPassword: (value: string) => void;
  onRepeat: (value: string) => void;
  /** The account's name and email: the rules refuse passwords that contain them. */
  name?: string;
  email?: string;
  /** The server's word on the password. */
  error?: string;
  mismatch: boolean;
  /** The two fields' labels ("New password" where a current one is asked too). */
  labels?: readonly [string, string];
}) {
  return (
    <>
      <Input
        label={labels[0]}
        name="password"
        type="password"
        autoComplete="new-password"
        value={password}
        onChange={(e) => onPassword(e.target.value)}
        error={error}
        hint={<PasswordRules password={password} name={name} email={email} />}
      />
      <Input
        label={labels[1]}
        name="repeat"
        type="password"
        autoComplete="new-password"
        value={repeat}
        onChange={(e) => onRepeat(e.target.value)}
        error={mismatch ? 'The passwords do not match.' : undefined}
      />
    </>
  );
}

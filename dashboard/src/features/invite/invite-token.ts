import { hashToken } from '../../lib/hash-token';

// The invitation link's one-time token (#token=…), out of the address bar at boot.
const inviteToken = hashToken('/invite');

export const captureInviteToken = inviteToken.capture;
export const useInviteToken = inviteToken.useToken;
export const forgetInviteToken = inviteToken.forget;

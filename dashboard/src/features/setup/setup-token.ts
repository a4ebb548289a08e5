import { hashToken } from '../../lib/hash-token';

// The setup link's one-time token (#token=…), out of the address bar at boot.
const setupToken = hashToken('/setup');

export const captureSetupToken = setupToken.capture;
export const useSetupToken = setupToken.useToken;
export const forgetSetupToken = setupToken.forget;

import { createFileRoute } from '@tanstack/react-router';
import { InvitePage } from '../features/invite/invite-page';

export const Route = createFileRoute('/invite')({ component: InvitePage });

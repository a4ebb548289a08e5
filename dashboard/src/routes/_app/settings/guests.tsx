import { createFileRoute } from '@tanstack/react-router';
import { GuestLinksPage } from '../../../features/guests/guest-links-page';

export const Route = createFileRoute('/_app/settings/guests')({ component: GuestLinksPage });

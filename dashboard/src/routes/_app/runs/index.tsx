import { createFileRoute } from '@tanstack/react-router';
import { RunsPage } from '../../../features/runs/runs-page';

export const Route = createFileRoute('/_app/runs/')({ component: RunsPage });

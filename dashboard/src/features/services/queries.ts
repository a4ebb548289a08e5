import type { AppRouter } from '@serverbox/core/router';
import { keepPreviousData } from '@tanstack/react-query';
import type { inferRouterInputs, inferRouterOutputs } from '@trpc/server';
import { trpc } from '../../lib/trpc';
import type { Tone } from '../../ui/badge';

type Out = inferRouterOutputs<AppRouter>['services'];
type In = inferRouterInputs<AppRouter>['services'];
export type UnitList = Out['list'];
export type UnitRow = UnitList['items'][number];
export type UnitStatus = Out['status'];
export type UnitAction = In['action']['action'];
export type ActiveState = NonNullable<In['list']['state']>;
export type Follow = Out['follow'];

export const activeStates = [
  'active',
  'inactive',
  'failed',
  'activating',
  'deactivating',
  'reloading',
] as const satisfies ActiveState[];

export interface UnitFilters {
  search?: string;
  state?: ActiveState;
  offset?: number;
}

export const unitPageSize = 50;

/** One page of a node's units; the previous page stays on screen while the next loads. */
export const unitsQuery = (nodeId: string, f: UnitFilters) =>
  trpc.services.list.queryOptions(
    { nodeId, search: f.search, state: f.state, limit: unitPageSize, offset: f.offset ?? 0 },
    { placeholderData: keepPreviousData },
  );

/** A unit's properties and its last 50 journal lines. */
export const unitStatusQuery = (nodeId: string, unit: string) =>
  trpc.services.status.queryOptions({ nodeId, unit, lines: 50 });

/** The badge colour of a systemd active state; the text always says the state itself. */
export function activeTone(state: string): Tone {
  if (state === 'active' || state === 'reloading') return 'green';
  if (state === 'failed') return 'red';
  if (state === 'activating' || state === 'deactivating') return 'amber';
  return 'neutral';
}

/** How each action is asked about: stop and disable can take a service away. */
export const actionMeta: Record<UnitAction, { label: string; pending: string; destructive: boolean; says: string }> = {
  start: { label: 'Start', pending: 'Starting…', destructive: false, says: 'starts the unit now' },
  restart: {
    label: 'Restart',
    pending: 'Restarting…',
    destructive: false,
    says: 'stops and starts the unit: its processes restart',
  },
  reload: {
    label: 'Reload',
    pending: 'Reloading…',
    destructive: false,
    says: 'asks the unit to reload its configuration without stopping',
  },
  enable: { label: 'Enable', pending: 'Enabling…', destructive: false, says: 'makes the unit start at boot' },
  stop: {
    label: 'Stop',
    pending: 'Stopping…',
    destructive: true,
    says: 'stops the unit now: whatever it serves goes away until it is started again',
  },
  disable: {
    label: 'Disable',
    pending: 'Disabling…',
    destructive: true,
    says: 'keeps the unit from starting at boot: after the next reboot it stays down',
  },
};
export const unitActions = ['start', 'restart', 'reload', 'stop', 'enable', 'disable'] as const satisfies UnitAction[];

import type { EngineRepository } from '../../store.js';
import type { Sql } from '../connection.js';
import { pgApplyReports } from './applyReports.js';
import { pgClaimDue } from './claimDue.js';
import { pgEngineLookups } from './lookups.js';
import { pgReschedule } from './reschedule.js';
import { pgNotes } from './notes.js';

/** The engine's part of the store on PostgreSQL: one file per operation, each with its SQL and its guard. */
export function pgEngine(sql: Sql): EngineRepository {
  const applyReports = pgApplyReports(sql);
  return {
    claimDue: pgClaimDue(sql),
    reschedule: pgReschedule(sql),
    async apply(reports, now) {
      await applyReports(reports, now);
    },
    ...pgEngineLookups(sql),
    note: pgNotes(sql),
  };
}

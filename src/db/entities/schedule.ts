import { EntitySchema } from '@mikro-orm/core';

/** A holiday or special date an admin added at run time to a schedule of flows/schedules.ts; one per schedule and date. */
export class ScheduleExceptionRow {
  id!: string;
  schedule!: string;
  /** 'YYYY-MM-DD' once, or 'MM-DD' every year. */
  date!: string;
  name!: string;
  kind!: 'holiday' | 'specialHours';
  /** specialHours: the day's open intervals; holiday: null. */
  hours?: Array<[string, string]> | null;
  /** Who added it: "name (object id)". */
  createdBy!: string;
  createdAt!: Date;
}

export const ScheduleExceptionSchema = new EntitySchema<ScheduleExceptionRow>({
  class: ScheduleExceptionRow,
  tableName: 'schedule_exception',
  properties: {
    id: { type: 'bigint', primary: true, autoincrement: true },
    schedule: { type: 'string', length: 100 },
    date: { type: 'string', length: 10 },
    name: { type: 'string', length: 200 },
    kind: { type: 'string', length: 20 },
    hours: { type: 'json', nullable: true },
    createdBy: { type: 'string', length: 200 },
    createdAt: { type: 'datetime' },
  },
});

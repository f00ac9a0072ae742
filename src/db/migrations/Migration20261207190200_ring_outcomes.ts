import { Migration } from '@mikro-orm/migrations';

/**
 * Issue 27, point 4: agent non-response apart from cancelled rings, per agent. `metrics.ring_outcomes(from, to,
 * agents)`: the offers (reserved intervals) that started in the range and how each ended, read from the agent's next
 * state row: taken (onCall), not answered (reason `missedOffer`, or `missedOffers` when it paused the agent: the
 * missed offers of agent_stats), cancelled (`offerCancelled`: another member of an attendant ring answered, or the
 * caller hung up while it rang), expired (`reservationExpired`: the offer's outcome never came), other (signed out,
 * still ringing). By the (agent_id, at) index, one probe per offer: meant for ranges of days.
 */
export class Migration20261207190200_ring_outcomes extends Migration {
  override up(): void {
    this
      .addSql(`create function metrics.ring_outcomes(p_from timestamptz, p_to timestamptz, p_agents text[] default null)
      returns table (agent_id varchar, offers bigint, taken bigint, not_answered bigint, cancelled bigint,
                     expired bigint, other bigint)
      language sql stable as $$
        select r.agent_id, count(*),
               count(*) filter (where n.state = 'onCall'),
               count(*) filter (where n.state is distinct from 'onCall' and n.reason in ('missedOffer', 'missedOffers')),
               count(*) filter (where n.state is distinct from 'onCall' and n.reason = 'offerCancelled'),
               count(*) filter (where n.state is distinct from 'onCall' and n.reason = 'reservationExpired'),
               count(*) filter (where n.state is null or (n.state <> 'onCall' and (n.reason is null or n.reason not in
                 ('missedOffer', 'missedOffers', 'offerCancelled', 'reservationExpired'))))
        from metrics.agent_state_row r
        left join lateral (
          select s.state, s.reason from metrics.agent_state_row s
          where s.agent_id = r.agent_id and (s.at, s.id) > (r.at, r.id)
          order by s.at, s.id limit 1) n on true
        where r.state = 'reserved' and r.at >= p_from and r.at < p_to
          and (p_agents is null or cardinality(p_agents) = 0 or r.agent_id = any (p_agents))
        group by r.agent_id
      $$;`);
    const fn = 'metrics.ring_outcomes(timestamptz, timestamptz, text[])';
    this.addSql(`revoke execute on function ${fn} from public;`);
    this.addSql(`grant execute on function ${fn} to switchboard_reader;`);
  }

  override down(): void {
    this.addSql(`drop function if exists metrics.ring_outcomes(timestamptz, timestamptz, text[]);`);
  }
}

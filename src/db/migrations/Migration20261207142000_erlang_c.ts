import { Migration } from '@mikro-orm/migrations';

/**
 * Issue 27, point 6: staffing by Erlang C (docs/metrics.md, "Staffing").
 *
 * - `metrics.erlang_c_wait_probability(traffic, agents)`: the probability a call waits, P(w) = N·B / (N − A·(1 − B)),
 *   with B the Erlang B blocking probability by its stable recursion B(0) = 1, B(n) = A·B(n−1) / (n + A·B(n−1)) (no
 *   factorials, so no overflow at hundreds of agents). 1 when the agents cannot carry the traffic (N ≤ A).
 * - `metrics.erlang_c_service_level(traffic, agents, threshold, aht)` = 1 − P(w)·e^(−(N − A)·threshold / AHT).
 * - `metrics.erlang_c_agents(calls, interval_seconds, aht_seconds, target, threshold_seconds)`: the fewest agents whose
 *   service level reaches `target`, for A = calls × AHT ÷ interval Erlangs (raw agents: before shrinkage).
 */
export class Migration20261207142000_erlang_c extends Migration {
  override async up(): Promise<void> {
    this.addSql(`create function metrics.erlang_c_wait_probability(p_traffic double precision, p_agents int)
      returns double precision language plpgsql immutable as $$
      declare b double precision := 1; n int;
      begin
        if p_agents <= p_traffic then return 1; end if;
        for n in 1 .. p_agents loop
          b := p_traffic * b / (n + p_traffic * b);
        end loop;
        return p_agents * b / (p_agents - p_traffic * (1 - b));
      end $$;`);
    this.addSql(`create function metrics.erlang_c_service_level(p_traffic double precision, p_agents int,
        p_threshold_seconds double precision, p_aht_seconds double precision)
      returns double precision language sql immutable as $$
        select case when p_agents <= p_traffic then 0
                    else 1 - metrics.erlang_c_wait_probability(p_traffic, p_agents)
                             * exp(-(p_agents - p_traffic) * p_threshold_seconds / p_aht_seconds) end
      $$;`);
    this.addSql(`create function metrics.erlang_c_agents(p_calls double precision, p_interval_seconds double precision,
        p_aht_seconds double precision, p_target double precision, p_threshold_seconds double precision)
      returns int language plpgsql immutable as $$
      declare a double precision; n int;
      begin
        if coalesce(p_calls, 0) <= 0 or coalesce(p_aht_seconds, 0) <= 0 or p_interval_seconds <= 0 then return 0; end if;
        if p_target <= 0 or p_target >= 1 then
          raise exception 'erlang_c_agents: the target service level must be between 0 and 1, got %', p_target;
        end if;
        a := p_calls * p_aht_seconds / p_interval_seconds;
        n := floor(a)::int + 1;
        while metrics.erlang_c_service_level(a, n, p_threshold_seconds, p_aht_seconds) < p_target loop
          n := n + 1;
        end loop;
        return n;
      end $$;`);
    for (const fn of [
      'erlang_c_wait_probability(double precision, int)',
      'erlang_c_service_level(double precision, int, double precision, double precision)',
      'erlang_c_agents(double precision, double precision, double precision, double precision, double precision)',
    ]) {
      this.addSql(`revoke execute on function metrics.${fn} from public;`);
      this.addSql(`grant execute on function metrics.${fn} to switchboard_reader;`);
    }
  }

  override async down(): Promise<void> {
    this.addSql(`drop function if exists metrics.erlang_c_agents(double precision, double precision, double precision,
      double precision, double precision);`);
    this.addSql(`drop function if exists metrics.erlang_c_service_level(double precision, int, double precision,
      double precision);`);
    this.addSql(`drop function if exists metrics.erlang_c_wait_probability(double precision, int);`);
  }
}

/**
 * Every patch id the workflows ask `patched()` about, in one place: when it came in, why, and when it may go.
 *
 * Removing a patch means deleting its old branch and passing the id to `deprecatePatch` for one release, then
 * dropping it. That is safe only once no run that started before the patch can still be open. Calls last minutes;
 * queues and agents are long-lived entities whose runs continue as new every few thousand events, and a new run asks
 * `patched()` afresh. So a queue or agent patch may go once every queue and agent has continued as new on a release
 * that has it, and a call patch a day after its release. Either way, the releases recorded before it leave
 * test/histories/ (and releases.json) in the same change.
 */

// ─── Queue workflow (workflows/queue/) ─────────────────────────────────────────────────────────────────────────────

/**
 * 2026-11-28. An attendant queue rings every free agent for a lone caller, and shares them out when several wait,
 * instead of offering one agent at a time. Removable once every queue has continued as new on a release with it.
 */
export const ATTENDANT_RINGS_ALL_PATCH = 'attendant-rings-all';

/**
 * 2026-11-29, issue 9. Reserve agents for every call that can have one in the same round (`matchAtOnce`) and send
 * each assignment without waiting for Temporal to confirm it (a call that has gone is handled when the signal fails).
 * Before: one call at a time, each assignment awaited. Reserving stays an activity, not a local one: a local activity
 * holds the queue's workflow task open, and a busy queue's signals pile up behind it until the server fails the task
 * (it buffers about 100 events). Removable once every queue has continued as new on a release with it.
 */
export const QUEUE_RESERVE_AT_ONCE_PATCH = 'queue-reserve-at-once';

/**
 * 2026-11-29, issue 9. Reserve by signalling the agent (`reserveForCallSignal`), who hands themself to the call: an
 * offer crosses four workflow tasks and no activity, where the Update needed a `reserveAgent` activity and a second
 * queue task (offers with 500 calls waiting). The queue counts the agent reserved from the moment it asks and hears
 * back only on a refusal. Attendant groups keep the Update: a group is handed over only once every member is reserved.
 * Removable once every queue has continued as new on a release with it.
 */
export const QUEUE_RESERVE_BY_SIGNAL_PATCH = 'queue-reserve-by-signal';

/**
 * 2026-11-29. Round robin gives the turn back to an agent who refuses a reservation made by signal (taken by another
 * queue, paused meanwhile): the turn moved to them when the request was sent, and they lost it. Removable once every
 * queue has continued as new on a release with it.
 */
export const QUEUE_REFUSAL_KEEPS_TURN_PATCH = 'queue-refusal-keeps-turn';

/**
 * 2026-11-29, issue 9. Write the queue's live row at most once a second. Each write is an activity, three history
 * events and a workflow task of its own: under load they were over 40% of the queue's history, and so of how often
 * it continued as new. The live panels refresh every 5 s. Removable once every queue has continued as new on a
 * release with it.
 */
export const QUEUE_LIVE_THROTTLED_PATCH = 'queue-live-throttled';

/**
 * 2026-12-07, issue 27 point 3. The live row's oldest wait (`oldestWaitingSince`, the wallboard's longest current
 * wait) is the oldest caller on hold: a callback keeping its place (WaitingCall.callback) is left out, where it kept
 * its first enqueue time between attempts. The row changes, so the writes it causes do. Removable once every queue
 * has continued as new on a release with it.
 */
export const QUEUE_LIVE_HOLD_ONLY_PATCH = 'queue-live-hold-only';

/**
 * 2026-12-07, engineer D's agent race (AGENT_SIGNALS_IN_ARRIVAL_ORDER_PATCH) on the queue. Signals that reach a queue's
 * run before its first workflow task (its first call, every continue-as-new) are handled in the order they came
 * (workflows/signal-order.ts). The SDK handed them over in the handlers' order, enqueue first: a call reporting its
 * failed offer and then queueing again was dropped as a retry of a call still offered (a caller on hold that no queue
 * held), and a caller who came after an agent signed in to an unstaffed queue was sent to the no-agents action.
 * Asked only when the two orders differ. Removable once every queue has continued as new on a release with it.
 */
export const QUEUE_SIGNALS_IN_ARRIVAL_ORDER_PATCH = 'queue-signals-in-arrival-order';

// ─── Agent workflow (workflows/agent/) ─────────────────────────────────────────────────────────────────────────────

/**
 * 2026-11-28, issue 9. The agent tells its queues of a state change through a local activity, inside the workflow
 * task that changed it: an activity task and the workflow task its completion costs fewer per change (4–5 of each
 * per call), and out of every offer's path (agent free → queue hears of it). Removable once every agent has continued
 * as new on a release with it.
 */
export const AGENT_LOCAL_PUBLISH_PATCH = 'agent-local-publish';

/**
 * 2026-11-29, issue 9. Each Postgres write of the agent's state is tried first as a local activity (one short
 * attempt), and falls back to the ordinary activity, which retries until Postgres is back (`writeInlineFirst`).
 * Removable once every agent has continued as new on a release with it.
 */
export const AGENT_INLINE_RECORD_PATCH = 'agent-inline-record';

/**
 * 2026-12-07, found by the lead in the code. Every worker start tells each agent's workflow its configured queues
 * (startAgentWorkflows), and a signed-out agent told any queues was signed in: an agent who signed out and went home
 * was available again after every deploy and offered calls. Now only a queue list going from empty to some signs a
 * signed-out agent in (a new agent; one opting back in after opting out of every queue). Asked only when a signed-out
 * agent with queues is told queues (workflows/agent/state.ts setQueues), so runs in flight get it at the next start.
 * Removable once every agent has continued as new on a release with it.
 */
export const AGENT_SIGN_IN_FROM_NO_QUEUES_PATCH = 'agent-sign-in-from-no-queues';

/**
 * 2026-12-07, the temporal-privacy e2e's sign-out that did not stick. Signals that reach an agent's run before its
 * first workflow task are handled in the order they came (workflows/agent/signal-order.ts). The SDK handed each to its
 * handler as the handlers were set, so a new agent signed out right after a worker start-up's configuredQueues was
 * signed out first (nothing to do) and then signed in by its queue list. Asked only when the two orders differ.
 * Removable once every agent has continued as new on a release with it.
 */
export const AGENT_SIGNALS_IN_ARRIVAL_ORDER_PATCH = 'agent-signals-in-arrival-order';

/**
 * 2026-12-07, checking why a sign-out did not stick. A sign-out (or away) that reaches an agent while reserved or on
 * a call is kept and applied when the offer or the wrap-up ends (workflows/agent/state.ts setAvailability). Before,
 * it was dropped without a word (the admin API had answered 202), and the agent was available, and offered calls,
 * after the call. Asked only when such a request arrives. Removable once every agent has continued as new on a
 * release with it.
 */
export const AGENT_SIGN_OUT_AFTER_CALL_PATCH = 'agent-sign-out-after-call';

/**
 * 2026-12-07, found in review (engineer R) of AGENT_SIGN_OUT_AFTER_CALL_PATCH. A sign-out or away kept from a call
 * outlived the agent's next ask: an `available` asked for in the wrap-up (or an `away`) ended it early and then became
 * that kept sign-out, so an agent who said they were ready again was signed out. Now any ask in the wrap-up replaces
 * the kept one (workflows/agent/state.ts setAvailability). Asked only then. Removable once every agent has continued as
 * new on a release with it.
 */
export const AGENT_KEPT_ASK_REPLACED_PATCH = 'agent-kept-ask-replaced';

/**
 * 2026-12-07, found in review (engineer B's brief). A conference agent's talk ends only when their call's workflow
 * signals `callEnded` (presence does not end it: the roster gives the times). A call workflow that failed, was
 * terminated mid-conference or whose signal was lost left the agent on call until `switchboard agents restart`. Now
 * an agent on such a call asks Temporal every 10 minutes of talk whether that workflow is still running (a timer, and
 * the `callWorkflowStatus` local activity when it fires); closed or not found ends the talk (wrap-up, reason
 * `callWorkflowGone`). Asked only where it decides a command: the timer of an on-call agent whose end is reported, and
 * the check when it is due. Runs in flight take it at their next workflow task (a deploy's configuredQueues signal).
 * Removable once every agent has continued as new on a release with it.
 */
export const AGENT_CALL_WORKFLOW_GONE_PATCH = 'agent-call-workflow-gone';

/**
 * 2026-12-07, found in review (engineer B's report). An on-call agent's workflow took any `callEnded` as the end of
 * the talk they were in, whichever reservation it named: a late one from an earlier call (a retried signal, a
 * transfer's first leg, a call workflow reset and replayed) ended the current talk early, and the agent was offered
 * calls while still talking. Now one that names another reservation than the current one is ignored and logged
 * (reservation ids only); one that names none (presence, calls from before reservation ids were sent) still ends it.
 * Asked only when such an end reaches an agent on call. Removable once every agent has continued as new on a release
 * with it.
 */
export const AGENT_CALL_END_OWN_RESERVATION_PATCH = 'agent-call-end-own-reservation';

// ─── Call workflow (workflows/call.ts, call-session.ts, call-recorder.ts) ──────────────────────────────────────────

/**
 * 2026-11-28, issue 9. The call records at milestones instead of after almost every event (`recordCall` was 64% of a
 * call's activities). Removable a day after its release (no call started before it is still open).
 */
export const MILESTONE_BATCHES_PATCH = 'recorder-milestone-batches';

/**
 * 2026-11-29, issue 9. The call's Graph requests and its queue entry are local activities: each is one HTTP request of
 * well under a second, run inside the workflow task that asked for it, with no activity task to dispatch and no
 * workflow task for its result (4 workflow tasks and 7 activity tasks fewer per call). Retries and timeouts are the
 * same. Record writes try a local activity first too (one short attempt) and fall back to the ordinary activity,
 * which retries until Postgres is back, so a database outage never holds the call up for long. Removable a day after
 * its release.
 */
export const CALL_LOCAL_GRAPH_PATCH = 'call-local-graph';

/**
 * 2026-12-07, issue 21 point 2. Graph ends a call that gets no POST …/keepAlive within 45 minutes of its start or of
 * the previous one (call-keepalive.md), and a queue may hold a caller longer than that. The call workflow now runs a
 * timer from the answer on (every 15 minutes, Microsoft's recommendation, or the input's keepAliveSeconds) and sends
 * keepAlive for the caller's call and every leg it holds; before, it sent none. Removable a day after its release.
 */
export const CALL_KEEPALIVE_PATCH = 'call-keepalive';

/**
 * 2026-12-07, issue 21 point 6. The call reads Graph's notifications as Graph documents them: an operation's id is
 * found however its GUID is spelt (case, dashes), keys go in toneInfo.sequenceId order, and a late `establishing`
 * after `established` is not written to the timeline (it was, once per copy; the timeline's length decides when it is
 * written, so this changes commands). Before: ids matched byte for byte, keys in arrival order. Removable a day after
 * its release.
 */
export const NOTIFICATION_READING_PATCH = 'notification-reading';

/**
 * 2026-12-07, issue 25 point 1 (CPU per call). One marker for the call workflow's patches that every new run has
 * (workflows/call-patches.ts lists them): the SDK records a marker and a TemporalChangeVersion search-attribute upsert
 * for each patch a run asks, eight of them on a bench call. A run with this marker asks none of those; a run without
 * it (begun before) asks each where it always did, so recorded histories replay unchanged. A worker from before this
 * patch cannot replay a run that has it (it would find none of the listed markers and take every old branch). In the
 * rolling deploy that ships it (docs/flows.md; deploy/kubernetes/worker.yaml keeps old pods polling until new ones
 * are up) a new call's workflow task that an old worker takes (a sticky-queue miss) fails as nondeterministic and is
 * retried until a new worker takes it: unlike a patch asked in some calls, this concerns every new call, for that
 * one rollout. The list is frozen (workflows/call-patches.ts); patches added later are asked on their own (or in a
 * new marker like this). Removable with the listed patches' old branches.
 */
export const CALL_PATCHES_AT_ONCE_PATCH = 'call-patches-at-once';

// ─── Call flow verbs (workflows/flow/) ─────────────────────────────────────────────────────────────────────────────

/**
 * 2026-11-29. A ring placed twice to one agent (its createCall made again after Graph's answer was lost) that the
 * agent answers becomes their call, and our other ring is ended. Before, the agent answered, was hung up on, was found
 * busy by the other ring, and the call went to someone else. Removable a day after its release.
 */
export const ADOPT_STRAY_RING_PATCH = 'adopt-stray-ring';

/**
 * 2026-11-29. When a transfer request fails while the call is no longer established, ask Graph and wait for the
 * transfer's notifications before taking the failure as the transfer's end: a transfer Graph carried out, whose
 * response was lost, ended a connected call 'abandoned'. Removable a day after its release.
 */
export const TRANSFER_TAKEN_PATCH = 'transfer-taken-before';

/**
 * 2026-12-07, issue 21 point 1. An answered ring is not proof that the agent answered: Teams' voicemail (after about
 * 20 s) or the agent's call forwarding answers too. A ring's leg now hears a whisper and must press 1 within the
 * queue's `confirmSeconds` (unless the queue says `confirm: 'none'`), and a ring that Graph's callRoutes show forwarded
 * is ended as a miss. Before: any established ring took the caller. Removable a day after its release.
 */
export const OFFER_CONFIRMS_HUMAN_PATCH = 'offer-confirms-human';

/**
 * 2026-12-07, issue 24 point 1. A queue with `connectBy: 'conference'` puts the agent who answered through by
 * participants/invite with replacesCallId (the caller's call becomes a group call and Switchboard stays in it, reading
 * the roster until the agent or the caller leaves: workflows/flow/conference.ts) instead of a consultative transfer.
 * Asked only when an assignment says conference, so calls of transfer queues make no marker. Removable a day after
 * its release.
 */
export const CONFERENCE_CONNECT_PATCH = 'conference-connect';

/**
 * 2026-12-07, issue 24 point 3. The call workflow takes the `supervise` Update (a supervisor barges into or monitors
 * a conference: workflows/flow/supervise.ts). Histories recorded before it never hold the Update; the marker keeps a
 * run that does from replaying silently on a worker without it. Removable once no call from before it is running.
 */
export const CALL_SUPERVISE_PATCH = 'call-supervise';

/**
 * 2026-12-07, issue 21 point 4. Voicemail records in segments of VOICEMAIL_SEGMENT_SECONDS, the next started as soon
 * as one completes at its maximum (200/8515, call-record.md), and the message is the segments joined. Graph sends
 * no recording for an operation outstanding at hang-up (microsoft-graph-comms-samples#376), so a caller who speaks and
 * hangs up loses only the segment they hung up in, not the whole message. Before: one recordResponse for the box's
 * whole maximum. Removable a day after its release.
 */
export const VOICEMAIL_SEGMENTS_PATCH = 'voicemail-segments';

/**
 * 2026-12-07, issue 23 point 3. The agent workflow takes the `extendWrapUp` Update: the agent's wrap-up ends later,
 * so its timer moves. Histories recorded before it never hold the Update; the marker keeps any run that does replay
 * on a worker without it from silently ignoring the change. Removable once every agent has continued as new on a
 * release with it.
 */
export const AGENT_EXTEND_WRAP_UP_PATCH = 'agent-extend-wrap-up';

/**
 * 2026-12-07, issue 27 point 2. A caller who hangs up after a queue gave them up (its timeout, overflow or no-agents
 * exit), during the flow's fallback or the queue's action, ends `disconnected` instead of `abandoned`: they were no
 * longer waiting in the queue, which counts the call as the flow-out its exit recorded (workflows/flow/hung-up.ts).
 * Only the outcome's value changes; the marker is asked for only in that case. Removable a day after its release.
 */
export const FALLBACK_HANGUP_PATCH = 'call-fallback-hangup';

/**
 * 2026-12-07, issue 26 point 3. The call upserts its search attributes (FlowName and Line at the start, Queue on
 * entering a queue, Agent once connected, Outcome at the end; workflows/search-attributes.ts): each upsert is a
 * command. Before: none. Removable a day after its release.
 */
export const CALL_SEARCH_ATTRIBUTES_PATCH = 'call-search-attributes';

/**
 * 2026-12-07, issue 26 point 1. The callback offer reads numbers with libphonenumber-js (src/phone/number.ts): a
 * number keyed without its country code is read in the line's country (the flow's `country`, else the caller's), 00
 * and 011 prefixes work from any line, invalid (max metadata) and premium-rate numbers are refused, and a caller id
 * without its '+' can be confirmed. Whether a number is taken decides which prompt plays next. Before: only +1 national
 * numbers, and 011… became +011…. Removable a day after its release (callbacks waiting then are past the offer).
 */
export const PHONE_NUMBERS_PATCH = 'phone-numbers-libphonenumber';

/**
 * 2026-12-07, found by the cluster test (kill -9 of a worker with calls in flight). The transfer to the agent who
 * confirmed was carried out, but the worker died before its task completed; on the next worker the transfer's
 * notifications (accepted, the caller's leg ended AppTransferred) were applied before the offer went on, so the offer
 * took the ended call for a caller who hung up: `abandoned`, though the caller was talking to the agent. Now a call
 * whose transfer was accepted is connected to the agent who confirmed, with no repeated request. Before: ringStopped,
 * abandoned. The marker is asked for only in that case. Removable a day after its release.
 */
export const OFFER_TRANSFER_ALREADY_TAKEN_PATCH = 'offer-transfer-already-taken';

/**
 * 2026-12-07, issue 24 point 2. The call workflow tells the agent's workflow when Graph put the agent through (the
 * offer outcome's `at`, the CDR's connected_at) and, in a conference, when the roster showed the talk over (callEnded's
 * `at`, the CDR's talk_ended_at): the agent's onCall interval, which the dashboards' talk and handle times are made of,
 * is then the CDR's to the millisecond, not the moments the signals were handled. Before: the signals carried no time.
 * Asked once a call is connected. Removable a day after its release.
 */
export const AGENT_TALK_TIMES_PATCH = 'agent-talk-times';

/**
 * 2026-12-07, issue 24 point 5. A queue (or the flow's call.queue) with a `survey`: when the agent leaves a call put
 * through by conference, Switchboard plays each question, takes one key, and writes the answers to survey_response
 * (workflows/flow/survey.ts); a caller who left first gets a `callerLeft` row instead. Asked only when a survey is
 * configured and a conference ended, so calls without one make no marker. Removable a day after its release.
 */
export const POST_CALL_SURVEY_PATCH = 'post-call-survey';

/**
 * 2026-12-07, found in review (engineer C). The survey's answers are written after the call, not before its hang-up:
 * the write was awaited, and retried without limit while Postgres was away, so the caller was held on the line by our
 * database. Now the write runs beside the rest of the call (the call ends, the workflow waits for it before its last
 * CDR write) and gives up after SURVEY_WRITE_BOUND (workflows/flow/survey-write.ts), recording `surveyWriteFailed`
 * without the answers. Asked where POST_CALL_SURVEY_PATCH holds. Removable a day after its release (with the old path).
 */
export const SURVEY_WRITE_AFTER_CALL_PATCH = 'survey-write-after-call';

/**
 * 2026-12-07, issue 24 point 4. The call workflow takes the `transfer` Update: an agent talking to the caller in a
 * conference sends them to another queue or a colleague (workflows/flow/warm-transfer.ts), and the same workflow
 * carries on. Histories recorded before it never hold the Update; the marker keeps a run that does from replaying
 * silently on a worker without it. Removable once no call from before it is running.
 */
export const CALL_TRANSFER_PATCH = 'call-transfer';

/**
 * 2026-12-07, found in review (engineer B's brief). A colleague's reservation for a transfer (workflows/flow/colleague.ts)
 * whose `reserveAgent` attempt failed for a reason other than a refusal (timed out, answer lost) left the colleague
 * reserved, if the Update had gone through, until the lease ran out (alert time + 300 s). Now the call releases that
 * reservation at once (a `cancelled` offer outcome, one signal). Asked only when the attempt failed. Removable a day
 * after its release (no call from before it running).
 */
export const COLLEAGUE_RELEASE_ON_FAILURE_PATCH = 'colleague-release-on-failure';

/**
 * 2026-12-07, issue 21 point 4 (a caller who hangs up keeps their message). Voicemail segments of
 * VOICEMAIL_QUEUED_SEGMENT_SECONDS (10 s, was 20), each asked for while the one before records: Graph runs queued media
 * operations in order (call-cancelmediaprocessing.md), so no audio falls between segments, and a hang-up loses at
 * most 10 s (Graph sends nothing for the segment then recording). A message that ends otherwise cancels the queued
 * segment (cancelMediaProcessing). Asked only where VOICEMAIL_SEGMENTS_PATCH holds. Removable once no call from before
 * it is running (with VOICEMAIL_SEGMENTS_PATCH's old path).
 */
export const VOICEMAIL_QUEUED_SEGMENTS_PATCH = 'voicemail-queued-segments';

/**
 * 2026-12-07, issue 24 point 2 follow-up. A conference's call workflow tells the agent's workflow `connected` and, when
 * the roster shows the talk over, `callEnded`: two signals that need not arrive in order. A short talk's end could
 * overtake its `connected`; it was ignored (the agent still reserved), and since a conference's end comes only from
 * its call workflow (endReported), the agent then stayed on call for good (found reading the code while a flow test
 * showed an agent left on call; that one was the test server's clock). Now
 * the early end is kept and the `connected` goes straight to wrap-up. Asked only when an end arrives for the agent's
 * current reservation before its outcome. Removable once no agent run from before it is running.
 */
export const AGENT_EARLY_CALL_END_PATCH = 'agent-early-call-end';

/**
 * 2026-12-07, issue 27 point 2. A pending callback that a queue's action sends on to another queue: its `queueExit`
 * carries the caller's time on hold in the queue it left and when it entered that queue (`enteredAt`), and the call
 * record moves to the next queue (queue, queued_at, wait 0: the caller held on no queue after), so the first queue
 * counts a flow-out segment and the next one the callback's answer or failure. Before: the exit had no wait and the
 * record kept the first queue, which counted the call twice and its answer, and the next queue nothing. Asked only
 * when a callback is sent on. Removable once no call from before it is running (a callback waits hours at most).
 */
export const CALLBACK_SENT_ON_SEGMENTS_PATCH = 'callback-sent-on-segments';

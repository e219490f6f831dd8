// Limits and defaults both storage backends apply, written once so the twins cannot drift.

/** A new source's polling bounds when it names none (15 min and 6 h). */
export const DEFAULT_MIN_INTERVAL_S = 900;
export const DEFAULT_MAX_INTERVAL_S = 6 * 3600;

/** Fetch-log rows kept per source: a fetch a minute would otherwise grow it by millions a day. */
export const FETCH_LOG_KEEP_PER_SOURCE = 500;

/** Items per page of a channel that sets no default. */
export const DEFAULT_CHANNEL_LIMIT = 50;

/**
 * Up to this many sources, a page is one index walk per source merged afterwards; beyond it,
 * the newest-first walk over all articles meets matching rows often enough on its own.
 */
export const MAX_SOURCE_ARMS = 64;

/** Due sources looked at per claimed one: enough for the per-host cut to leave `limit`. */
export const CLAIM_WINDOW_FACTOR = 4;

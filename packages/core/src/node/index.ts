// The Node http → core bridge (body reading with limits, abort handling) lives here; see the adapters.
export {};

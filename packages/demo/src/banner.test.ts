import { describe, expect, it } from 'vitest';
import { shellQuote } from './banner.js';

describe('shellQuote', () => {
  it('leaves plain words alone and single-quotes the rest, so printed commands run as shown', () => {
    expect(shellQuote('/tmp/data/demo/alicloud-credentials.json')).toBe('/tmp/data/demo/alicloud-credentials.json');
    expect(shellQuote('http://127.0.0.1:8080')).toBe('http://127.0.0.1:8080');
    expect(shellQuote('/tmp/my data')).toBe("'/tmp/my data'");
    expect(shellQuote("it's")).toBe("'it'\\''s'");
    expect(shellQuote('$(rm -rf ~)')).toBe("'$(rm -rf ~)'");
  });
});

import { PassThrough } from 'node:stream';
import type { IncomingHttpHeaders } from 'node:http';
import { describe, expect, it } from 'vitest';
import { adoptOrReadBody, classifyBody, DEFAULT_BODY_LIMIT, isJsonMediaType, parseJsonBytes, parserBodyError, readJsonBody } from './body.js';

const JSON_HEADERS = { 'content-type': 'application/json', 'transfer-encoding': 'chunked' };

/** A request-like stream: what an IncomingMessage looks like to the reader. */
function bodyStream(headers: IncomingHttpHeaders): PassThrough & { headers: IncomingHttpHeaders } {
  return Object.assign(new PassThrough(), { headers });
}

describe('isJsonMediaType', () => {
  it.each([
    ['application/json', true],
    ['Application/JSON', true],
    ['application/json; charset=utf-8', true],
    ['application/json; charset="UTF-8"', true],
    ['application/json;charset=utf8', true],
    ['application/json; charset=latin1', false],
    ['application/json;', true],
    ['application json', false],
    ['application/jsonx', false],
    ['application/merge-patch+json', false],
    ['text/json', false],
    ['text/plain', false],
    ['', false],
  ])('%s → %s', (header, expected) => {
    expect(isJsonMediaType(header)).toBe(expected);
  });
});

describe('classifyBody', () => {
  it('an empty body without a content type is no body', () => {
    expect(classifyBody({})).toEqual({ body: undefined });
    expect(classifyBody({ 'content-length': '0' })).toEqual({ body: undefined });
  });
  it('a body without a content type, or with another one, is unsupported', () => {
    expect(classifyBody({ 'content-length': '3' })).toEqual({ bodyError: 'unsupported_media_type' });
    expect(classifyBody({ 'transfer-encoding': 'chunked' })).toEqual({ bodyError: 'unsupported_media_type' });
    expect(classifyBody({ 'content-type': 'text/plain', 'content-length': '0' })).toEqual({ bodyError: 'unsupported_media_type' });
  });
  it('refuses encoded bodies (no decompression bombs) but accepts identity', () => {
    expect(classifyBody({ ...JSON_HEADERS, 'content-encoding': 'gzip' })).toEqual({ bodyError: 'unsupported_media_type' });
    expect(classifyBody({ ...JSON_HEADERS, 'content-encoding': 'identity' })).toBe('read');
  });
  it('refuses a declared length over the limit before reading', () => {
    expect(classifyBody({ 'content-type': 'application/json', 'content-length': String(DEFAULT_BODY_LIMIT + 1) })).toEqual({ bodyError: 'too_large' });
    expect(classifyBody({ 'content-type': 'application/json', 'content-length': String(DEFAULT_BODY_LIMIT) })).toBe('read');
    expect(classifyBody({ 'content-type': 'application/json', 'content-length': '11' }, 10)).toEqual({ bodyError: 'too_large' });
  });
});

describe('parseJsonBytes', () => {
  const bytes = (s: string) => new TextEncoder().encode(s);
  it('parses objects and arrays, dropping a BOM', () => {
    expect(parseJsonBytes(bytes('{"a":1}'))).toEqual({ body: { a: 1 } });
    expect(parseJsonBytes(bytes('\uFEFF {"a":1}'))).toEqual({ body: { a: 1 } });
    expect(parseJsonBytes(bytes('[1]'))).toEqual({ body: [1] });
    expect(parseJsonBytes(new Uint8Array())).toEqual({ body: undefined });
  });
  it.each(['null', '1', '"x"', 'true', ' ', '{"a":', '{"a":1} x', "{'a':1}"])('refuses %j as malformed', (text) => {
    expect(parseJsonBytes(bytes(text))).toEqual({ bodyError: 'malformed_json' });
  });
  it('refuses invalid UTF-8 rather than substituting it', () => {
    expect(parseJsonBytes(new Uint8Array([0x7b, 0x22, 0xff, 0x22, 0x3a, 0x31, 0x7d]))).toEqual({ bodyError: 'malformed_json' });
  });
  it('refuses prototype-poisoning keys at any depth', () => {
    expect(parseJsonBytes(bytes('{"__proto__":{"x":1}}'))).toEqual({ bodyError: 'malformed_json' });
    expect(parseJsonBytes(bytes('{"a":[{"constructor":{"prototype":{"x":1}}}]}'))).toEqual({ bodyError: 'malformed_json' });
    expect(parseJsonBytes(bytes('{"constructor":"fine"}'))).toEqual({ body: { constructor: 'fine' } });
  });
});

describe('readJsonBody', () => {
  it('reads a chunked body', async () => {
    const stream = bodyStream(JSON_HEADERS);
    const result = readJsonBody(stream);
    stream.write('{"a":');
    stream.end('"b"}');
    expect(await result).toEqual({ body: { a: 'b' } });
  });

  it('stops at the limit while streaming and keeps draining the rest', async () => {
    const stream = bodyStream(JSON_HEADERS);
    const result = readJsonBody(stream, { limit: 10 });
    stream.write('{"a":"12345');
    expect(await result).toEqual({ bodyError: 'too_large' });
    stream.write('x'.repeat(100_000)); // would block a paused stream's writer past its high-water mark
    expect(stream.readableFlowing).toBe(true);
    stream.end();
    await new Promise((resolve) => stream.once('end', resolve));
  });

  it('accepts a body of exactly the limit', async () => {
    const stream = bodyStream(JSON_HEADERS);
    const result = readJsonBody(stream, { limit: 9 });
    stream.end('{"a":"b"}');
    expect(await result).toEqual({ body: { a: 'b' } });
  });

  it('reports an upload that breaks off as aborted, with no unhandled error afterwards', async () => {
    const stream = bodyStream(JSON_HEADERS);
    const result = readJsonBody(stream);
    stream.write('{"a":');
    stream.destroy(new Error('ECONNRESET'));
    expect(await result).toEqual({ bodyError: 'aborted' });
  });

  it('reports a close before the end as aborted', async () => {
    const stream = bodyStream(JSON_HEADERS);
    const result = readJsonBody(stream);
    stream.write('{"a":');
    stream.destroy();
    expect(await result).toEqual({ bodyError: 'aborted' });
  });

  it('treats a stream someone else already consumed as empty', async () => {
    const stream = bodyStream(JSON_HEADERS);
    stream.resume();
    stream.end('{"a":1}');
    await new Promise((resolve) => stream.once('end', resolve));
    expect(await readJsonBody(stream)).toEqual({ body: undefined });
  });

  it('answers from the headers alone when they decide', async () => {
    const stream = bodyStream({ 'content-type': 'text/plain', 'content-length': '5' });
    expect(await readJsonBody(stream)).toEqual({ bodyError: 'unsupported_media_type' });
    expect(stream.readableFlowing).toBe(null); // never touched
  });

  it('judges by the given headers when the stream is a framework payload', async () => {
    const stream = bodyStream({});
    const result = readJsonBody(stream, { headers: JSON_HEADERS });
    stream.end('{}');
    expect(await result).toEqual({ body: {} });
  });
});

describe('adoptOrReadBody', () => {
  it('adopts a body the app parsed from JSON', async () => {
    expect(await adoptOrReadBody(bodyStream(JSON_HEADERS), { a: 1 })).toEqual({ body: { a: 1 } });
  });
  it('refuses a body another parser produced from a form (no login CSRF through HTML forms)', async () => {
    const stream = bodyStream({ 'content-type': 'application/x-www-form-urlencoded', 'content-length': '7' });
    expect(await adoptOrReadBody(stream, { mode: 'ok' })).toEqual({ bodyError: 'unsupported_media_type' });
  });
  it('applies the same header verdicts and prototype checks to adopted bodies', async () => {
    expect(await adoptOrReadBody(bodyStream({ ...JSON_HEADERS, 'content-encoding': 'gzip' }), { a: 1 })).toEqual({ bodyError: 'unsupported_media_type' });
    expect(await adoptOrReadBody(bodyStream({ 'content-type': 'application/json', 'content-length': '100' }), { a: 1 }, { limit: 50 })).toEqual({ bodyError: 'too_large' });
    expect(await adoptOrReadBody(bodyStream(JSON_HEADERS), JSON.parse('{"__proto__":{"x":1}}'))).toEqual({ bodyError: 'malformed_json' });
  });
  it('reads the body itself when nothing was parsed', async () => {
    const stream = bodyStream(JSON_HEADERS);
    const result = adoptOrReadBody(stream, undefined);
    stream.end('{"read":true}');
    expect(await result).toEqual({ body: { read: true } });
  });
  it('a no-body request an app parser turned into {} stays empty', async () => {
    expect(await adoptOrReadBody(bodyStream({}), {})).toEqual({ body: undefined });
  });
});

describe('parserBodyError', () => {
  const json = { 'content-type': 'application/json', 'transfer-encoding': 'chunked' };
  it.each([
    [{ type: 'entity.too.large', status: 413 }, 'too_large'],
    [{ type: 'entity.parse.failed', status: 400 }, 'malformed_json'],
    [{ type: 'request.aborted', status: 400 }, 'aborted'],
    [{ type: 'charset.unsupported', status: 415 }, 'unsupported_media_type'],
    [Object.assign(new SyntaxError('Unexpected token'), { status: 400 }), 'malformed_json'],
    [{ status: 413 }, 'too_large'],
    [new Error('unrelated'), undefined],
    [null, undefined],
  ])('%o → %s', (err, expected) => {
    expect(parserBodyError(err, json)).toBe(expected);
  });
  it('prefers what Gatehouse would say from the headers', () => {
    expect(parserBodyError({ status: 400 }, { ...json, 'content-encoding': 'gzip' })).toBe('unsupported_media_type');
  });
});

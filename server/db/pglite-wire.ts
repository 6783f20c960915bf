import { messages, types, type PGlite } from '@electric-sql/pglite';

/**
 * The PostgreSQL wire protocol for the hot statements on PGlite, written and read with Node's
 * Buffer. PGlite's own serializer and parser keep their state in transpiled private fields (a
 * WeakMap lookup per access) and copy each string before decoding it; on a 5–20 KB step write they
 * cost a fifth of the server's time. Only the messages our statements exchange are handled here.
 */

/** A result column as a RowDescription gives it. */
export interface Field {
  name: string;
  dataTypeID: number;
}

/** What the backend answered one statement (everything up to its ReadyForQuery). */
export interface StatementAnswer {
  /** Set when the answer carried a RowDescription (the statement was described). */
  fields?: Field[];
  /** Each row's values as text, in column order. */
  rows: (string | null)[][];
  /** CommandComplete's tag, e.g. `INSERT 0 1` or `COMMIT`. */
  command?: string;
  error?: messages.DatabaseError;
  /** ReadyForQuery's transaction status: I idle, T in a transaction, E in a failed one. */
  status?: string;
}

const message = (type: string, body: Buffer) => {
  const head = Buffer.allocUnsafe(5);
  head.write(type, 0, 'latin1');
  head.writeInt32BE(body.length + 4, 1);
  return Buffer.concat([head, body]);
};

/** Describe the unnamed portal, execute it (all rows), sync. */
export const DESCRIBE_PORTAL = message('D', Buffer.from('P\0', 'latin1'));
export const EXECUTE_AND_SYNC = Buffer.concat([message('E', Buffer.from('\0\0\0\0\0', 'latin1')), message('S', Buffer.alloc(0))]);

/** Bind of a prepared statement to the unnamed portal, every parameter and result in text format. */
export function bindMessage(statement: string, values: readonly (string | null)[]): Buffer {
  let size = 4 + 1 + Buffer.byteLength(statement) + 1 + 2 + 2 + 2;
  for (const value of values) size += 4 + (value === null ? 0 : Buffer.byteLength(value));
  const out = Buffer.allocUnsafe(1 + size);
  let at = out.write('B', 0, 'latin1');
  at = out.writeInt32BE(size, at);
  out[at++] = 0; // unnamed portal
  at += out.write(statement, at);
  out[at++] = 0;
  at = out.writeInt16BE(0, at); // no parameter format codes: all text
  at = out.writeInt16BE(values.length, at);
  for (const value of values) {
    if (value === null) {
      at = out.writeInt32BE(-1, at);
      continue;
    }
    const length = out.write(value, at + 4);
    out.writeInt32BE(length, at);
    at += 4 + length;
  }
  out.writeInt16BE(0, at); // no result format codes: all text
  return out;
}

const ERROR_FIELDS: Record<string, keyof messages.DatabaseError> = {
  S: 'severity',
  C: 'code',
  D: 'detail',
  H: 'hint',
  P: 'position',
  p: 'internalPosition',
  q: 'internalQuery',
  W: 'where',
  s: 'schema',
  t: 'table',
  c: 'column',
  d: 'dataType',
  n: 'constraint',
  F: 'file',
  L: 'line',
  R: 'routine',
};

/** An ErrorResponse as PGlite's own DatabaseError, as PGlite's parser would build it. */
function databaseError(bytes: Buffer, start: number, end: number): messages.DatabaseError {
  const fields: Record<string, string> = {};
  for (let at = start; at < end && bytes[at] !== 0; ) {
    const code = String.fromCharCode(bytes[at]);
    const stop = bytes.indexOf(0, at + 1);
    fields[code] = bytes.toString('utf8', at + 1, stop);
    at = stop + 1;
  }
  const error = new messages.DatabaseError(fields.M ?? 'database error', end - start + 4, 'error');
  for (const [code, key] of Object.entries(ERROR_FIELDS)) if (fields[code] !== undefined) Object.assign(error, { [key]: fields[code] });
  return error;
}

/** Splits a stream of backend messages into one answer per ReadyForQuery. */
export function readAnswers(bytes: Buffer): StatementAnswer[] {
  const answers: StatementAnswer[] = [];
  let answer: StatementAnswer = { rows: [] };
  for (let at = 0; at + 5 <= bytes.length; ) {
    const type = bytes[at];
    const end = at + 1 + bytes.readInt32BE(at + 1);
    let cursor = at + 5;
    switch (type) {
      case 0x54: {
        // RowDescription: name, table oid, column, type oid, size, modifier, format
        const count = bytes.readInt16BE(cursor);
        cursor += 2;
        const fields: Field[] = [];
        for (let i = 0; i < count; i++) {
          const stop = bytes.indexOf(0, cursor);
          fields.push({ name: bytes.toString('utf8', cursor, stop), dataTypeID: bytes.readInt32BE(stop + 7) });
          cursor = stop + 19;
        }
        answer.fields = fields;
        break;
      }
      case 0x44: {
        // DataRow
        const count = bytes.readInt16BE(cursor);
        cursor += 2;
        const row: (string | null)[] = new Array(count);
        for (let i = 0; i < count; i++) {
          const length = bytes.readInt32BE(cursor);
          cursor += 4;
          row[i] = length < 0 ? null : bytes.toString('utf8', cursor, (cursor += length));
        }
        answer.rows.push(row);
        break;
      }
      case 0x43: // CommandComplete
        answer.command = bytes.toString('utf8', cursor, end - 1);
        break;
      case 0x45: // ErrorResponse: the first one is the statement's error
        answer.error ??= databaseError(bytes, cursor, end);
        break;
      case 0x5a: // ReadyForQuery
        answer.status = String.fromCharCode(bytes[cursor]);
        answers.push(answer);
        answer = { rows: [] };
        break;
      default: // ParseComplete, BindComplete, NoData, notices: nothing to keep
    }
    at = end;
  }
  return answers;
}

/** Rows as objects keyed by column name, each value parsed by PGlite's parser for its type. */
export function rowObjects<T>(db: PGlite, fields: readonly Field[], rows: (string | null)[][]): T[] {
  return rows.map((row) => {
    const object: Record<string, unknown> = {};
    for (let i = 0; i < fields.length; i++) object[fields[i].name] = types.parseType(row[i], fields[i].dataTypeID, db.parsers);
    return object as T;
  });
}

/**
 * Runs protocol messages in the engine and returns its answer as one buffer, without PGlite
 * parsing it. The caller holds PGlite's query lock.
 */
export async function execRaw(db: PGlite, request: Uint8Array): Promise<Buffer> {
  const chunks: Buffer[] = [];
  // The chunks are views of the engine's memory: copy each before the engine writes again.
  await db.execProtocolRawStream(request, { syncToFs: false, onRawData: (chunk) => chunks.push(Buffer.from(chunk)) });
  return chunks.length === 1 ? chunks[0] : Buffer.concat(chunks);
}

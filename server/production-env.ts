// Imported first by the server's entry points. graphql-js chooses its `instanceof` checks when it
// is first loaded: outside development they are plain `instanceof`, while the development ones
// look for a second copy of graphql on every failed check (a few per field of every result).
process.env.NODE_ENV ??= 'production';

// The failure converter of every Client, Worker and workflow bundle of KIM Casework (DataConverter
// failureConverterPath): failure messages and stack traces go into an encoded payload — and so through the payload
// encryption codec — instead of standing in plaintext in the engine's history. An activity's database error can
// quote the data it tried to write.
// Plain CommonJS so both the worker's require() and the workflow bundler load it as it is.
'use strict';
// eslint-disable-next-line @typescript-eslint/no-require-imports -- CommonJS on purpose (see above)
const { DefaultFailureConverter } = require('@temporalio/common');

exports.failureConverter = new DefaultFailureConverter({ encodeCommonAttributes: true });

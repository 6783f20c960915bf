export { DebugRecorder, type RecorderOptions, type RecordedRun, type RunInfo, type StepInfo } from './recorder.ts';
export { normalizeRequest, normalizeResponse, parseSse, detectFormat } from './normalize.ts';

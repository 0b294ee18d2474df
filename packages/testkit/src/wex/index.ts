export { startWexEmulator, type WexBehaviour, type WexEmulator, type WexEmulatorOptions, type WexIssuedCard, type WexRecordedRequest } from './emulator.js';

export { startOdooVendorEmulator, type OdooVendorEmulator, type OdooVendorEmulatorOptions, type OdooVendorFailure } from './emulator.js';
export { busiestWindow, callsPerSecond, type BusiestWindow, type OdooVendorCall, type OdooVendorOperation } from './call-log.js';
export type { OdooVendorProduct } from './products.js';

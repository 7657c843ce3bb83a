/** Kept in step with package.json by a test; written on every resource as `casefile.sdk.version`. */
export const SDK_VERSION = '0.1.0';
export const SDK_NAME = '@casefile/sdk';

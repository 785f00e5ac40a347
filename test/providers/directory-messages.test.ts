import { describe, expect, it } from 'vitest';
import { classifyDirectoryMessage, guidsIn } from '../../src/providers/directory-messages.js';

const SKU = '6FD2C87F-B296-42F0-B197-1E91E994B900';

describe('directory licensing messages', () => {
  it('reads the reason, and the SKU where the message names one', () => {
    expect(
      classifyDirectoryMessage(`Subscription with SKU ${SKU} does not have any available licenses.`),
    ).toEqual({ reason: 'insufficient_licenses', skuId: SKU.toLowerCase(), usageLocation: false });
    expect(
      classifyDirectoryMessage(
        'License assignment failed because service plans a, b are mutually exclusive.',
      ),
    ).toEqual({ reason: 'mutually_exclusive', skuId: undefined, usageLocation: false });
    expect(classifyDirectoryMessage('… depends on the service plan(s) x.')?.reason).toBe(
      'missing_prerequisite',
    );
    expect(classifyDirectoryMessage('User license is inherited from a group membership …')?.reason).toBe(
      'inherited_from_group',
    );
    expect(classifyDirectoryMessage(`License ${SKU} cannot be assigned to a user.`)).toEqual({
      reason: 'provider_error',
      skuId: SKU.toLowerCase(),
      usageLocation: false,
    });
  });

  it('leaves "invalid usage location" for the caller to tell missing from not allowed', () => {
    expect(
      classifyDirectoryMessage('License assignment cannot be done for user with invalid usage location.'),
    ).toEqual({ reason: 'usage_location_missing', skuId: undefined, usageLocation: true });
  });

  it('knows nothing of other messages', () => {
    expect(classifyDirectoryMessage('Insufficient privileges to complete the operation.')).toBeNull();
  });

  it('lists the GUIDs a message names, lower-cased and in order', () => {
    expect(guidsIn(`plans ${SKU} and 57ff2da0-773e-42df-b2af-ffb7a2317929 conflict`)).toEqual([
      SKU.toLowerCase(),
      '57ff2da0-773e-42df-b2af-ffb7a2317929',
    ]);
    expect(guidsIn('none here')).toEqual([]);
  });
});

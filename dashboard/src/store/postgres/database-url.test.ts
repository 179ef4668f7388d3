import { describe, expect, it } from 'vitest';
import { redactDatabaseUrl } from './database-url.js';

describe('redactDatabaseUrl', () => {
  it('keeps where, not the password, whether in the authority or a parameter', () => {
    expect(redactDatabaseUrl('postgresql://boxroom:s3cret@db:5432/boxroom')).toBe(
      'postgresql://boxroom:redacted@db:5432/boxroom',
    );
    expect(redactDatabaseUrl('postgres://db/boxroom?user=u&password=s3cret&sslmode=require')).toBe(
      'postgres://db/boxroom?user=u&password=redacted&sslmode=require',
    );
    expect(redactDatabaseUrl('postgresql://db/boxroom')).toBe('postgresql://db/boxroom');
    expect(redactDatabaseUrl('host=db password=s3cret')).not.toContain('s3cret');
  });
});

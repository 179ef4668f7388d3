import { describe, expect, expectTypeOf, it } from 'vitest';
import { Compile } from 'typebox/compile';
import type { Static } from 'typebox';
import { ControlVerb } from './control.js';
import { oneOf } from './one-of.js';
import { ROLES, Role } from './roles.js';

describe('oneOf', () => {
  it('accepts exactly the listed strings, and its type is their union', () => {
    const check = Compile(oneOf(['a', 'b']));
    expect(['a', 'b'].map((v) => check.Check(v))).toEqual([true, true]);
    expect(['c', '', 1, null].map((v) => check.Check(v))).toEqual([false, false, false, false]);
    expectTypeOf<Static<typeof ControlVerb>>().toEqualTypeOf<
      'request' | 'release' | 'take' | 'reset' | 'lock' | 'unlock'
    >();
    expectTypeOf<Static<typeof Role>>().toEqualTypeOf<(typeof ROLES)[number]>();
  });
});

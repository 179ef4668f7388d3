import { Type, type TLiteral, type TUnion } from 'typebox';

/**
 * A schema for one of a fixed list of strings, from the list itself: the list (for loops and
 * `includes`), the schema and the type (`(typeof LIST)[number]`) cannot disagree.
 */
export function oneOf<const T extends readonly string[]>(
  values: T,
): TUnion<{ -readonly [K in keyof T]: TLiteral<T[K]> }> {
  return Type.Union(values.map((v) => Type.Literal(v))) as never;
}

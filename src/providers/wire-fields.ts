/** Zod shapes the Microsoft wire formats share. */
import { z } from 'zod';

/**
 * Text fields that Graph and Partner Center leave out or send as null when they have no value,
 * as one shape to spread into a z.object.
 */
export function optionalTexts<const K extends string>(
  ...names: K[]
): { [P in K]: z.ZodOptional<z.ZodNullable<z.ZodString>> } {
  return Object.fromEntries(names.map((name) => [name, z.string().nullish()])) as {
    [P in K]: z.ZodOptional<z.ZodNullable<z.ZodString>>;
  };
}

// REST JSON bodies: express.json with a size limit, then a depth limit, so a body of a few
// kilobytes cannot make a handler walk (or a later JSON.stringify recurse through) thousands
// of nested levels. Both refusals are 4xx with a message; nothing of the body is echoed back.
import express, { type RequestHandler } from 'express';
import { HttpError } from './errors.ts';

/** The parser and the depth check, to put in a route before its handler. */
export function jsonBody(limit: string, maxDepth: number): RequestHandler[] {
  return [
    express.json({ limit }),
    (req, _res, next) => {
      next(depthOf(req.body, maxDepth) > maxDepth ? new HttpError(400, `the JSON body is nested deeper than ${maxDepth} levels`) : undefined);
    },
  ];
}

/**
 * How deep `value` nests objects and arrays (a scalar is 0, `{}` is 1), counted only up to
 * `maxDepth + 1`: the walk is iterative and stops as soon as the limit is passed.
 */
export function depthOf(value: unknown, maxDepth: number): number {
  let deepest = 0;
  const stack: [unknown, number][] = [[value, 0]];
  while (stack.length > 0) {
    const [v, depth] = stack.pop()!;
    if (v === null || typeof v !== 'object') continue;
    const level = depth + 1;
    if (level > deepest) deepest = level;
    if (deepest > maxDepth) return deepest;
    for (const child of Array.isArray(v) ? v : Object.values(v)) {
      if (child !== null && typeof child === 'object') stack.push([child, level]);
    }
  }
  return deepest;
}

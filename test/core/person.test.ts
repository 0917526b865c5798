// Names out of the person strings feeds write (RSS author, managingEditor, dc:creator).
import { describe, expect, it } from 'vitest';
import { personName } from '../../src/core/person.js';

const table: Array<[input: string, name: string | undefined]> = [
  ['Mock Name', 'Mock Name'],
  ['mock@localhost', 'mock@localhost'],
  ['https://localhost', undefined],
  ['Mock Name mock@localhost', 'Mock Name'],
  ['Mock Name (mock@localhost)', 'Mock Name'],
  ['Mock Name [mock@localhost]', 'Mock Name'],
  ['Mock Name <mock@localhost>', 'Mock Name'],
  ['Mock Name https://localhost', 'Mock Name'],
  ['Mock Name (https://localhost)', 'Mock Name'],
  ['mock@localhost (Mock Name)', 'Mock Name'],
  ['mock@localhost [Mock Name]', 'Mock Name'],
  ['mock@localhost <Mock Name>', 'Mock Name'],
  ['mock@localhost (https://localhost)', 'mock@localhost'],
  ['mailto:mock@localhost', 'mock@localhost'],
  ['Mock Name (mailto:mock@localhost)', 'Mock Name'],
  ['Mock mock@localhost Name', 'Mock Name'],
  ['Mock (mock@localhost) Name', 'Mock Name'],
  ['Mock Name (Managing Editor)', 'Mock Name (Managing Editor)'],
  ['Mock Name (Managing Editor) <mock@localhost>', 'Mock Name (Managing Editor)'],
  ['Mock Name (mock1@localhost) (mock2@localhost)', 'Mock Name'],
  ['张三 (zhangsan@example.cn)', '张三'],
  ['', undefined],
  ['   ', undefined],
];

describe('personName', () => {
  for (const [input, name] of table) it(`${JSON.stringify(input)} → ${name}`, () => expect(personName(input)).toBe(name));
});

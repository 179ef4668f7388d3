import { describe, expect, it } from 'vitest';
import { FILE_NAME_MAX_BYTES, fileNameProblem } from './files.js';

describe('fileNameProblem', () => {
  it('takes plain file names, in any script, hidden ones and spaces inside included', () => {
    for (const name of [
      'report.pdf',
      'a b.txt',
      '.bashrc',
      'ñandú 日本.png',
      '..x',
      'x..',
      '-rf',
      'é'.repeat(127),
    ])
      expect(fileNameProblem(name), name).toBeNull();
  });

  it('refuses paths, dot names, control characters, NUL, edge spaces and over-long names', () => {
    for (const name of [
      '',
      '.',
      '..',
      '../etc/passwd',
      '..\\x',
      'a/b',
      '/abs',
      'dir\\file',
      'a\u0000b',
      'line\nbreak',
      'tab\t',
      'del\u007f',
      ' lead',
      'trail ',
      'x'.repeat(FILE_NAME_MAX_BYTES + 1),
      'é'.repeat(128), // 256 bytes of UTF-8 in 128 characters
    ])
      expect(fileNameProblem(name), JSON.stringify(name)).not.toBeNull();
  });
});

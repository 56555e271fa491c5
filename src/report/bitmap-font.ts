// A tiny 5x7 bitmap font (drawn for voxelflow) for QC picture annotations: digits, capital
// letters, lower-case "m" (for "mm") and a little punctuation. Other characters are upper-cased
// or drawn as "?".

const GLYPHS: Record<string, string> = {
  '0': '.###. #...# #..## #.#.# ##..# #...# .###.',
  '1': '..#.. .##.. ..#.. ..#.. ..#.. ..#.. .###.',
  '2': '.###. #...# ....# ...#. ..#.. .#... #####',
  '3': '##### ...#. ..#.. ...#. ....# #...# .###.',
  '4': '...#. ..##. .#.#. #..#. ##### ...#. ...#.',
  '5': '##### #.... ####. ....# ....# #...# .###.',
  '6': '..##. .#... #.... ####. #...# #...# .###.',
  '7': '##### ....# ...#. ..#.. .#... .#... .#...',
  '8': '.###. #...# #...# .###. #...# #...# .###.',
  '9': '.###. #...# #...# .#### ....# ...#. .##..',
  A: '.###. #...# #...# ##### #...# #...# #...#',
  B: '####. #...# #...# ####. #...# #...# ####.',
  C: '.###. #...# #.... #.... #.... #...# .###.',
  D: '####. #...# #...# #...# #...# #...# ####.',
  E: '##### #.... #.... ####. #.... #.... #####',
  F: '##### #.... #.... ####. #.... #.... #....',
  G: '.###. #...# #.... #.### #...# #...# .####',
  H: '#...# #...# #...# ##### #...# #...# #...#',
  I: '.###. ..#.. ..#.. ..#.. ..#.. ..#.. .###.',
  J: '..### ...#. ...#. ...#. ...#. #..#. .##..',
  K: '#...# #..#. #.#.. ##... #.#.. #..#. #...#',
  L: '#.... #.... #.... #.... #.... #.... #####',
  M: '#...# ##.## #.#.# #.#.# #...# #...# #...#',
  N: '#...# #...# ##..# #.#.# #..## #...# #...#',
  O: '.###. #...# #...# #...# #...# #...# .###.',
  P: '####. #...# #...# ####. #.... #.... #....',
  Q: '.###. #...# #...# #...# #.#.# #..#. .##.#',
  R: '####. #...# #...# ####. #.#.. #..#. #...#',
  S: '.#### #.... #.... .###. ....# ....# ####.',
  T: '##### ..#.. ..#.. ..#.. ..#.. ..#.. ..#..',
  U: '#...# #...# #...# #...# #...# #...# .###.',
  V: '#...# #...# #...# #...# #...# .#.#. ..#..',
  W: '#...# #...# #...# #.#.# #.#.# #.#.# .#.#.',
  X: '#...# #...# .#.#. ..#.. .#.#. #...# #...#',
  Y: '#...# #...# .#.#. ..#.. ..#.. ..#.. ..#..',
  Z: '##### ....# ...#. ..#.. .#... #.... #####',
  m: '..... ..... ##.#. #.#.# #.#.# #...# #...#',
  '.': '..... ..... ..... ..... ..... .##.. .##..',
  '-': '..... ..... ..... ##### ..... ..... .....',
  _: '..... ..... ..... ..... ..... ..... #####',
  ':': '..... .##.. .##.. ..... .##.. .##.. .....',
  '/': '....# ...#. ...#. ..#.. .#... .#... #....',
  '?': '.###. #...# ....# ...#. ..#.. ..... ..#..',
  ' ': '..... ..... ..... ..... ..... ..... .....',
}

export const GLYPH_WIDTH = 5
export const GLYPH_HEIGHT = 7

/** The lower-case "m" is only for units ("50 mm"); inside words every letter is a capital. */
function glyphRows(ch: string, inWord: boolean): string[] {
  const g = (inWord ? GLYPHS[ch.toUpperCase()] : undefined) ?? GLYPHS[ch] ?? GLYPHS[ch.toUpperCase()] ?? GLYPHS['?']
  return g.split(' ')
}

const isUnitText = (text: string) => /^[\d.\s]*m+$/.test(text)

/** Width in pixels of `text` drawn at `scale` (1 px gap between glyphs). */
export function textWidth(text: string, scale = 1): number {
  return text.length === 0 ? 0 : (text.length * (GLYPH_WIDTH + 1) - 1) * scale
}

export function textHeight(scale = 1): number {
  return GLYPH_HEIGHT * scale
}

/** Draw text into an RGBA buffer with its top-left corner at (x, y); clipped to the canvas. */
export function drawText(
  rgba: Uint8Array, width: number, height: number,
  text: string, x: number, y: number, color: readonly [number, number, number], scale = 1,
): void {
  let cx = x
  const inWord = !isUnitText(text)
  for (const ch of text) {
    const rows = glyphRows(ch, inWord)
    for (let r = 0; r < GLYPH_HEIGHT; r++) {
      for (let c = 0; c < GLYPH_WIDTH; c++) {
        if (rows[r][c] !== '#') continue
        for (let dy = 0; dy < scale; dy++) {
          for (let dx = 0; dx < scale; dx++) {
            const px = cx + c * scale + dx, py = y + r * scale + dy
            if (px < 0 || py < 0 || px >= width || py >= height) continue
            const o = (py * width + px) * 4
            rgba[o] = color[0]; rgba[o + 1] = color[1]; rgba[o + 2] = color[2]; rgba[o + 3] = 255
          }
        }
      }
    }
    cx += (GLYPH_WIDTH + 1) * scale
  }
}

// Pearson correlation coefficient of two equally long sequences.
export function correlation(x: ArrayLike<number>, y: ArrayLike<number>): number {
  const n = x.length
  let mx = 0, my = 0
  for (let i = 0; i < n; i++) { mx += x[i]; my += y[i] }
  mx /= n; my /= n
  let sxy = 0, sxx = 0, syy = 0
  for (let i = 0; i < n; i++) {
    const dx = x[i] - mx, dy = y[i] - my
    sxy += dx * dy; sxx += dx * dx; syy += dy * dy
  }
  return sxy / Math.sqrt(sxx * syy)
}

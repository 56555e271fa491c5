import '../../src/local/polyfills.js'

// The one thing the embedded runtime takes from aws-local-stepfunctions, in a module of its own:
// the build (bin/build.js) replaces it with a bundle of the package that leaves out what the
// local runtime never calls (its Lambda client, Cognito credentials and definition validator),
// ~0.2 s of module loading at the start of every `voxelflow run`. Sources and tests use the
// package as published.
export { StateMachine } from 'aws-local-stepfunctions'

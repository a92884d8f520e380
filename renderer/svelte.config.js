// Svelte compiler options for vite-plugin-svelte and svelte-check (defaults suffice).
export default {};

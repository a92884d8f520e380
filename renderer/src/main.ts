import { mount } from 'svelte';
import App from './App.svelte';
import { createClient } from './lib/api/client';
import { resolveConnection } from './lib/connection';
import { setClient } from './lib/context';
import './styles/app.css';

setClient(createClient(resolveConnection()));

const target = document.getElementById('app');
if (target) mount(App, { target });

import { describe, expect, it } from 'vitest';
import { coordinates, distanceMetres, inputGeoOf, isLive, liveStatus, mapLink } from '../src/ui/location';
import { previewText } from '../src/ui/peers';
import type { AppState } from '../src/ui/store';
import { PeerKind, type Message } from '../src/api/types';

const position = (coords: Partial<GeolocationCoordinates>): GeolocationPosition =>
  ({
    coords: { latitude: 52.52, longitude: 13.405, accuracy: 20, altitude: null, altitudeAccuracy: null, heading: null, speed: null, ...coords },
    timestamp: 0,
  }) as GeolocationPosition;

describe('location messages', () => {
  it('measures distances on the sphere', () => {
    expect(distanceMetres({ lat: 52.52, long: 13.405 }, { lat: 52.52, long: 13.405 })).toBe(0);
    // One thousandth of a degree of latitude is about 111 m anywhere.
    expect(distanceMetres({ lat: 52.52, long: 13.405 }, { lat: 52.521, long: 13.405 })).toBeCloseTo(111.2, 0);
    expect(distanceMetres({ lat: 0, long: 179.9995 }, { lat: 0, long: -179.9995 })).toBeCloseTo(111.2, 0);
  });

  it('writes six decimals and links OpenStreetMap with a marker', () => {
    expect(coordinates({ lat: 52.5200081, long: -0.1 })).toBe('52.520008, -0.100000');
    expect(mapLink({ lat: 48.8566, long: 2.3522 })).toBe('https://www.openstreetmap.org/?mlat=48.856600&mlon=2.352200#map=16/48.856600/2.352200');
  });

  it('tells whether a live location runs and when it last moved', () => {
    const geo = { lat: 1, long: 2, live_period: 900, live_until: 2000 };
    expect(isLive(geo, 1999)).toBe(true);
    expect(isLive(geo, 2000)).toBe(false);
    expect(isLive({ lat: 1, long: 2 }, 0)).toBe(false);
    expect(isLive({ lat: 1, long: 2, live_period: 0x7fffffff }, 1e10)).toBe(true);
    // Stopped: ended whatever the clock says (it may lag the server's by a second).
    expect(isLive({ lat: 1, long: 2, live_period: 0x7fffffff, live_until: 1500 }, 1499)).toBe(false);
    expect(isLive({ ...geo, live_until: 1500 }, 1499, 1100)).toBe(false);
    expect(isLive(geo, 1999, 1100)).toBe(true);
    expect(liveStatus(geo, 1100, 1130)).toBe('Live · updated just now');
    expect(liveStatus({ ...geo, move_date: 1500 }, 1100, 1620)).toBe('Live · updated 2 min ago');
    expect(liveStatus(geo, 1100, 2000)).toBe('Live location ended');
  });

  it('takes the browser position within the server ranges', () => {
    expect(inputGeoOf(position({ accuracy: 4.6 }))).toEqual({ lat: 52.52, long: 13.405, accuracy_radius: 5 });
    expect(inputGeoOf(position({ accuracy: 25000 }), 900)).toEqual({ lat: 52.52, long: 13.405, accuracy_radius: 1500, live_period: 900 });
    expect(inputGeoOf(position({ heading: 0, speed: 3 }), 900).heading).toBe(360);
    expect(inputGeoOf(position({ heading: 90.4, speed: 3 }), 900).heading).toBe(90);
    expect(inputGeoOf(position({ heading: 90, speed: 0 }), 900).heading).toBeUndefined();
    expect(inputGeoOf(position({ heading: 90, speed: 3 })).heading).toBeUndefined();
  });

  it('previews as a pin in the chat list', () => {
    const message: Message = { id: 1, from_id: 2, to_peer: { kind: PeerKind.User, id: 3 }, date: 0, text: '', geo: { lat: 1, long: 2 } };
    const state = {} as AppState;
    expect(previewText(state, message)).toBe('📍 Location');
    expect(previewText(state, { ...message, geo: { lat: 1, long: 2, live_period: 900 } })).toBe('📍 Live location');
  });
});

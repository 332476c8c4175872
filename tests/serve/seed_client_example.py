import asyncio
import aiohttp
import websockets
import json

class WiFiTrackerClient:
    def __init__(self, base_url="http://localhost:8000/api"):
        self.base_url = base_url
        self.ws_url = base_url.replace("http", "ws") + "/ws/ping-status"
    
    async def get_latest_metrics(self):
        async with aiohttp.ClientSession() as session:
            async with session.get(f"{self.base_url}/ping-metrics/latest") as resp:
                return await resp.json()
    
    async def listen_to_updates(self):
        async with websockets.connect(self.ws_url) as websocket:
            async for message in websocket:
                data = json.loads(message)
                print(f"Received: {data}")
                
                if data.get('type') == 'ping_result':
                    result = data['result']
                    print(f"Ping to {result['host']}: {result['response_time_ms']}ms")

# Usage
async def main():
    client = WiFiTrackerClient()
    
    # Get latest metrics
    metrics = await client.get_latest_metrics()
    print("Latest metrics:", metrics)
    
    # Listen to real-time updates
    await client.listen_to_updates()

asyncio.run(main())

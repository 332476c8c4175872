class WiFiTrackerClient {
    constructor(baseUrl = 'http://localhost:8000/api') {
        this.baseUrl = baseUrl;
        this.wsUrl = baseUrl.replace('http', 'ws') + '/ws/ping-status';
    }
    
    async getLatestMetrics() {
        const response = await fetch(`${this.baseUrl}/ping-metrics/latest`);
        return await response.json();
    }
    
    connectWebSocket() {
        const ws = new WebSocket(this.wsUrl);
        
        ws.onopen = () => {
            console.log('Connected to WiFi Tracker WebSocket');
        };
        
        ws.onmessage = (event) => {
            const data = JSON.parse(event.data);
            console.log('Received:', data);
            
            if (data.type === 'ping_result') {
                const result = data.result;
                console.log(`Ping to ${result.host}: ${result.response_time_ms}ms`);
            }
        };
        
        ws.onerror = (error) => {
            console.error('WebSocket error:', error);
        };
        
        return ws;
    }
}

// Usage
const client = new WiFiTrackerClient();

// Get latest metrics
client.getLatestMetrics().then(metrics => {
    console.log('Latest metrics:', metrics);
});

// Connect to real-time updates
const ws = client.connectWebSocket();
